"""Evidence in hand: a PDF, a scan, a phone photo or a screenshot of a printed or app page.

:func:`read_evidence` reads a file into text (PDF text layer, else OCR);
:func:`add_evidence` archives it and stores the text as an article of the
outlet and date it shows, so the matcher and verification treat it like any
crawled article.
"""

from shanggao.evidence.read import SOURCE_KINDS, Evidence, EvidenceError, Limits, PageText, read_evidence

__all__ = ["SOURCE_KINDS", "Evidence", "EvidenceError", "Limits", "PageText", "read_evidence"]
