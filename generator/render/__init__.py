"""Drawing faces with skia and writing clips, posters and contact sheets."""
