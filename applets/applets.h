/* applets: the list of applets, from the Kconfig symbols. APPLET(name) each. */
#ifdef CONFIG_INSMOD
APPLET(insmod)
#endif
#ifdef CONFIG_RMMOD
APPLET(rmmod)
#endif
#ifdef CONFIG_LSMOD
APPLET(lsmod)
#endif
#ifdef CONFIG_MODPROBE
APPLET(modprobe)
#endif
#ifdef CONFIG_MODINFO
APPLET(modinfo)
#endif
#ifdef CONFIG_DEPMOD
APPLET(depmod)
#endif
#ifdef CONFIG_COLDPLUG
APPLET(coldplug)
#endif
