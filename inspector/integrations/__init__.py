"""What sits on top of the core (agent, trace, analysis, tui, commands): the browser view,
the pytest plugin and the notebook extension. Each reads traces through the same public
pieces the CLI uses; nothing in the core imports from here."""
