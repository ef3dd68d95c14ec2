from admission import keys


def create_edition_key(sender, instance, created, raw=False, **kwargs):
    """A new edition gets its ticket key in the transaction that creates it.

    Not while loading fixtures (``raw``): a dump carries the edition's key row itself.
    """
    if created and not raw:
        keys.key_for(instance)
