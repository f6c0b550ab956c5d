"""Adding translations to the council's texts: one registry of the kinds, one service, one page.

A recommendation, commitment, initiative, indicator, meeting, agenda item, decision and the minutes keep
their text as {language: text} with the original language marked. Editors add the missing languages
here, one record and one language at a time; the original text is changed only on the record's own
edit page.
"""
