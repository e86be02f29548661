"""Files in and out: the data folder, bounded JSON, the official import, actuals, tables and the workbook."""
