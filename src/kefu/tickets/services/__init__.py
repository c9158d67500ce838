"""Services that write tickets. One module per concern: creation, thread, changes, fields."""
