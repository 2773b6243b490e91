"""Training a model: the recipe, augmentation and redrawing, the fused epoch loop,
checkpoints and resume, distribution, distillation, calibration, the bundled ensemble. May
import `reports` and every stage below it."""
