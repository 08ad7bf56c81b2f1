from rest2mcp.entry import main

main()
