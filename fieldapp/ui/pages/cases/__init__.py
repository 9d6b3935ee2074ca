"""案件: the case list with its deadlines, and one case in full with the actions the
logged-in officer's role allows (the squad leader approves 立案 and 结案 here).

The list fetches lazily, ``PAGE_SIZE`` cases at a time, as the view scrolls, so a
squad's whole history stays browsable. Every read and every action runs on the worker;
an action's result announces what changed, and the list and the detail reload.

- ``page``: ``CasesPage``, the filters and the list beside the detail.
- ``case_list``: the values shown in words, the reads run on the worker, the list model.
- ``detail``: ``CaseDetailPanel``, one case in full with the steps the role may take.
- ``actions``: ``ActionDialog``, asking what an action needs before it is taken.
- ``dossier``: ``DossierPrinter``, the completeness check and the PDF of the case volume.
"""

from fieldapp.ui.pages.cases.page import CasesPage

__all__ = ["CasesPage"]
