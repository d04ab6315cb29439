"""The pages of the main window, one module each; thin views over the engine."""
