from signoff.cli.app import main

main()
