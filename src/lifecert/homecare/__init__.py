"""Home-care supervision (居家养老服务监管)."""
