"""Rendering: report data (``kapdesk.services.report_data``) drawn as PDF with reportlab.

Beside the ui and the command line, never below the services: ``pdf.PDF`` is the
renderer they hand to ``ReportService``. Nothing here queries the database.
"""
