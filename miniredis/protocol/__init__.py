"""Sans-IO RESP: the request parser and the reply encoder, plain classes fed with bytes."""
