print("recotrain")
