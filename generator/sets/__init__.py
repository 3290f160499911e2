"""Stimulus sets for the study app: Task 1, the demo, Task 2 and their manifest."""
