"""Run the ask service: python -m services.ask"""

if __name__ == "__main__":
    raise SystemExit("the ask service is not built yet")
