"""What people read: the run's summary (one data model, as JSON, JUnit properties, Markdown, the last line), the
suite's section of schemathesis' page, the live progress line, and the readings of the page's silences. Imports
judging/ and below; it is handed the run's numbers, it does not reach into a run."""
