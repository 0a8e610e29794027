"""Life signals: dated evidence from partner sources that a retiree was alive, and the silent
certification (无感认证) a region's policy allows from them."""
