"""Measuring a model: evaluation, the HTML report and its plots. May import `datasets`
and every stage below it."""
