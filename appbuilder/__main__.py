from appbuilder.cli import main

main()
