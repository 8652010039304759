package io.qreg.engine.quant;

import io.qreg.engine.ProgressListener;
import java.util.ArrayList;
import java.util.List;

import io.qreg.engine.model.OnnxModel;

/** The state one quantization run shares across its passes: the model, the options, the report. */
public final class QuantizationContext {

    private final OnnxModel model;
    private final QuantizationOptions options;
    private final ProgressListener progress;
    private final List<LayerReport> layers = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    public QuantizationContext(OnnxModel model, QuantizationOptions options, ProgressListener progress) {
        this.model = model;
        this.options = options;
        this.progress = progress == null ? ProgressListener.NONE : progress;
    }

    public OnnxModel model() {
        return model;
    }

    public QuantizationOptions options() {
        return options;
    }

    public ProgressListener progress() {
        return progress;
    }

    public void report(LayerReport layer) {
        layers.add(layer);
    }

    /** A sentence for the report about a model-wide decision (e.g. a tensor kept in float by the guard). */
    public void note(String note) {
        notes.add(note);
    }

    public List<LayerReport> layers() {
        return List.copyOf(layers);
    }

    public List<String> notes() {
        return List.copyOf(notes);
    }
}
