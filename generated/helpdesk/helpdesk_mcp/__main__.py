from .generated.server import main

main()
