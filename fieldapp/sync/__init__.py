"""The sync wire protocol and client (arrives with the sync issue)."""
