"""A workspace owner's export of their own data: tickets with their messages, contacts with their
identities, articles with their categories, as a zip of CSV files or one JSON file.

``columns`` says what is in it; ``services`` starts, runs and expires exports (runs inside the
tenant's schema)."""
