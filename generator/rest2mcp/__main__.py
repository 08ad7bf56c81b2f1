from rest2mcp.cli import main

main()
