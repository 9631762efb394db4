from framing.cli import main

main()
