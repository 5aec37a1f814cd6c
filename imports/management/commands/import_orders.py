from imports.command import ImportCommand
from imports.models import Kind


class Command(ImportCommand):
    help = (
        "Import orders (one order of one line per row) from a CSV or XLSX file, all or nothing. "
        "Orders match on their number; the purchase summary is kept in step."
    )
    kind = Kind.ORDERS
