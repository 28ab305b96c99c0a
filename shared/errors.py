"""One exception root for the whole project, and the few subclasses callers branch on."""


class EcomInsightError(Exception):
    """Root of every error EcomInsight raises on purpose."""


class ConfigError(EcomInsightError):
    """A setting is missing or invalid."""


class EventDecodeError(EcomInsightError):
    """A Kafka message is not a valid EcomInsight event (unknown type or bad payload)."""


class BrokerError(EcomInsightError):
    """The Kafka broker could not be started or reached."""


class TooFewExamples(EcomInsightError):
    """Fewer usable examples than the minimum: for an export (the logger) or a training run (the
    trainer, after skipping unusable records). One class, since both sides count the same thing."""


class PlaceholderError(EcomInsightError):
    """Generated text uses an unknown placeholder, misses a required one or states a raw number."""


class ModelLoadError(EcomInsightError):
    """A model could not be loaded from a hub id or a folder."""


class RegistryError(EcomInsightError):
    """Unknown version, nothing to roll back to, or a broken registry folder."""


class ConversionError(EcomInsightError):
    """A saved model could not be converted to CTranslate2 (``shared.ct2``)."""
