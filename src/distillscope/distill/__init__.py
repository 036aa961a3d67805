"""Knowledge distillation (see distillscope.distill.__init__ once written)."""
