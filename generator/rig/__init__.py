"""The canonical rig, the characters (their rigs and looks), expressions and the procedural animator."""
