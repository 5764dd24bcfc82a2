API = {}
