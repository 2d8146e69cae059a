"""Reports for the reflection meeting: stories a panel selected with its reasons (Most Significant Change),
the voice-balance indicator on the selection, the learning points and the dashboard's headline figures.

`services` holds every rule (who sees a report, what may be selected, when it may leave); `content` builds
what a page or an export shows, at that moment, from the shared voices; `exports` writes it as PDF,
Markdown and CSV; `views` and `urls` (mounted as `stories.report_urls`) are the pages.
"""
