from hero_core.cli import main

main()
