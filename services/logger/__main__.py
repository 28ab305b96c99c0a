"""Run the logger service: python -m services.logger"""

if __name__ == "__main__":
    raise SystemExit("the logger service is not built yet")
