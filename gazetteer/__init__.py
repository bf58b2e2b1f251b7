"""A multilingual Syrian gazetteer: normalisation, build from sources, mention index, resolution."""
