"""What a printed report says, assembled from the services' dataclasses.

Plain data (``model``) built from the services' read models and the domain
(``session_data``, ``course_data``, ``charts_data``, ``session_tables``), with
``fmt`` for times and numbers. No reportlab here: ``kapdesk.reports`` renders
these dataclasses to PDF beside the ui and the command line.
"""
