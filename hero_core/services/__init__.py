"""Services: each function does one job of the compact in one transaction, audit entry included."""
