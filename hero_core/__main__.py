from hero_core.cli import main

# Guarded: worker processes (impact_store.refresh(workers=...)) are spawned, and a spawned child imports the
# parent's main module again; unguarded, it would run the command a second time.
if __name__ == "__main__":
    main()
