from imports.command import ImportCommand
from imports.models import Kind


class Command(ImportCommand):
    help = (
        "Import customers from a CSV or XLSX file, all or nothing. Customers match on Huitou ID, "
        "external ID or mobile; importing the same file again changes nothing."
    )
    kind = Kind.CUSTOMERS
