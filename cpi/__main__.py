from cpi.cli import main

main()
