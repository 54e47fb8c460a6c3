"""A run: its start (the target checked, the customers read and claimed), its lanes side by side, each lane's
hypothesis worker in a process of its own, the journal, the restore whatever stops it, and the schemathesis
schema pointed at the target (suite). Imports every layer below it."""
