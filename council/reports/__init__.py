"""The council's official progress report: gathered, written as DOCX and PDF, kept as numbered versions."""
