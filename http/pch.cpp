// The translation unit that carries the http/ libraries' shared precompiled header.
