"""Reports: statistics per purchaser and region, and the XLSX workbook."""
