"""Question understanding that learns from reviewers' labels.

A reviewer labels a question the ask service could not read (``ecominsight review``, the
logger's ``/review`` endpoints) with the query it meant, or marks it out of scope. From those
labels this package learns a *lexicon*: words the vocabulary does not know (``umsatz``,
``punters``) read as words it does (``revenue``, ``customers``), plus exact questions a reviewer
ruled out of scope. A new lexicon serves only when it reads more held-out labelled questions
right than the serving one does, and breaks none that the serving one read right
(``learner.propose``). A reviewer may also decide directly (``decisions.py``): promote a word
to every shop, or revoke a word a shop learned, which the learner respects at every later
proposal (``revocations.py``).

The modules: ``labels`` (a label), ``learner`` (what labels teach, the gate), ``poller`` (the
thread that reads the labels and proposes), ``store`` (the serving lexicon, its lineage and the
revocations on disk), ``decisions`` and ``revocations`` (a reviewer's promote and revoke).

Why a lexicon and not a model: a learned word only ever replaces a word the parser could not
use, so it can turn a refusal into an answer but can never change an answer the parser gives
today; every answer that used one says so ("reading 'umsatz' as 'revenue'"); and it learns from
a handful of labels, which a seq2seq parser cannot.
"""
