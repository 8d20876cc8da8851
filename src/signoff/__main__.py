from signoff.cli.app import run

run()
