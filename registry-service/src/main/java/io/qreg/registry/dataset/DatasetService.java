package io.qreg.registry.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.qreg.npy.NpyArrayInfo;
import io.qreg.npy.NpyFormatException;
import io.qreg.npy.TensorArchive;
import io.qreg.registry.artifact.ArtifactService;
import io.qreg.registry.artifact.ReceivedUpload;
import io.qreg.registry.artifact.StagedFile;
import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.model.ModelService;
import io.qreg.registry.security.CurrentUser;
import io.qreg.registry.support.AdvisoryLocks;
import io.qreg.registry.support.CanonicalJson;
import io.qreg.registry.support.ImmutableViews;
import io.qreg.registry.web.ApiException;

import org.springframework.core.io.Resource;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/**
 * Registers datasets: reads the NumPy headers of the staged upload, checks that every array
 * describes the same samples, and stores a new immutable version.
 */
@Service
@RequiredArgsConstructor(access = AccessLevel.PACKAGE)
public class DatasetService {

    public static final String LABELS = "labels";
    public static final String SLICES = "slices";
    private static final Set<String> PURPOSES = Set.of("calibration", "evaluation");
    private static final Set<String> SLICE_DTYPES = Set.of("int64", "int32", "int8", "uint8");

    private final DatasetRepository datasets;
    private final ArtifactService artifacts;
    private final AuditLog audit;
    private final TransactionTemplate transaction;
    private final InflatedSizeGuard inflatedSize;
    private final AdvisoryLocks locks;
    private final ImmutableViews<String, DatasetView> views = new ImmutableViews<>();

    /** The stored version and whether this call created it. */
    public record Saved(DatasetView dataset, boolean created) {
    }

    /** Takes ownership of the staged file: it ends up in the store, or deleted. */
    public Saved register(ReceivedUpload upload) {
        StagedFile staged = upload.file();
        try {
            DatasetMetadata metadata = upload.metadata(DatasetMetadata.class, "{name, purpose, description, sliceNames}");
            validate(metadata);
            // Before any array is read: reading them inflates the archive.
            inflatedSize.check(staged);
            List<NpyArrayInfo> arrays = inspect(staged);
            long samples = checkSamples(arrays);
            List<DatasetArray> inputs = new ArrayList<>();
            for (NpyArrayInfo a : arrays) {
                if (!a.name().equals(LABELS) && !a.name().equals(SLICES)) {
                    inputs.add(toArray(a));
                }
            }
            boolean hasLabels = arrays.stream().anyMatch(a -> a.name().equals(LABELS));
            boolean hasSlices = arrays.stream().anyMatch(a -> a.name().equals(SLICES));
            SliceNames.Given given = SliceNames.of(metadata.sliceNames(), staged);
            SliceNames.checkAgainstSlices(given, hasSlices, staged);
            List<String> sliceNames = given == null ? null : given.names();
            String format = formatOf(staged);
            return transaction.execute(tx -> {
                locks.lock("dataset:" + metadata.name());
                var same = datasets.findFirstByNameAndSha256AndPurpose(metadata.name(), staged.sha256(),
                        metadata.purpose()).filter(d -> java.util.Objects.equals(d.view().sliceNames(), sliceNames));
                if (same.isPresent()) {
                    return new Saved(same.get().view(), false);
                }
                artifacts.commit(staged);
                int version = datasets.maxVersion(metadata.name()) + 1;
                Dataset dataset = datasets.saveAndFlush(new Dataset(metadata.name(), version, metadata.purpose(),
                        metadata.description(), staged.sha256(), staged.sizeBytes(), format, samples,
                        CanonicalJson.write(inputs), hasLabels, hasSlices,
                        sliceNames == null ? null : CanonicalJson.write(sliceNames), CurrentUser.username()));
                DatasetView view = dataset.view();
                audit.record("dataset.versioned", "dataset", view.name() + "@" + version, null, view,
                        Map.of("name", view.name(), "version", version, "sha256", view.sha256()));
                return new Saved(view, true);
            });
        } finally {
            staged.discard();
        }
    }

    private static void validate(DatasetMetadata m) {
        if (m.name() == null || !ModelService.NAME.matcher(m.name()).matches()) {
            throw ApiException.invalid("name",
                    "name must be 1-63 characters of lowercase letters, digits and '-', e.g. 'digits-calib'");
        }
        if (m.purpose() == null || !PURPOSES.contains(m.purpose())) {
            throw ApiException.invalid("purpose", "purpose must be 'calibration' or 'evaluation', got '"
                    + m.purpose() + "'");
        }
        if (m.description() != null && m.description().length() > 4000) {
            throw ApiException.invalid("description", "description must be at most 4000 characters");
        }
    }

    private static List<NpyArrayInfo> inspect(StagedFile staged) {
        try {
            List<NpyArrayInfo> arrays = TensorArchive.inspect(staged.path(), staged.originalFilename());
            if (arrays.isEmpty()) {
                throw unprocessable("the upload holds no arrays; send one <input name>.npy per model input");
            }
            return arrays;
        } catch (NpyFormatException e) {
            throw unprocessable("the file is not a usable NumPy dataset: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every array describes the same samples along its first axis; returns their number. */
    private static long checkSamples(List<NpyArrayInfo> arrays) {
        if (arrays.stream().allMatch(a -> a.name().equals(LABELS) || a.name().equals(SLICES))) {
            throw unprocessable("the dataset has no input arrays, only labels/slices; add one <input name>.npy"
                    + " per model input");
        }
        long samples = -1;
        String first = null;
        for (NpyArrayInfo a : arrays) {
            if (a.shape().length == 0) {
                throw unprocessable("array '" + a.name() + "' is a scalar; every array needs a first dimension"
                        + " of samples");
            }
            if (samples < 0) {
                samples = a.shape()[0];
                first = a.name();
            } else if (a.shape()[0] != samples) {
                throw unprocessable("sample counts differ: '" + first + "' has " + samples + " samples but '"
                        + a.name() + "' has " + a.shape()[0] + " (first dimension of "
                        + Arrays.toString(a.shape()) + ")");
            }
            if (a.name().equals(SLICES) && (a.shape().length != 1 || !SLICE_DTYPES.contains(dtypeName(a)))) {
                throw unprocessable("'slices' must be a 1-D integer array (one slice id per sample), got "
                        + dtypeName(a) + Arrays.toString(a.shape()));
            }
        }
        if (samples == 0) {
            throw unprocessable("the dataset has 0 samples");
        }
        return samples;
    }

    private static String formatOf(StagedFile staged) {
        String name = staged.originalFilename() == null ? "" : staged.originalFilename().toLowerCase();
        if (name.endsWith(".npz")) {
            return "npz";
        }
        try (InputStream in = Files.newInputStream(staged.path())) {
            byte[] magic = in.readNBytes(2);
            return magic.length == 2 && magic[0] == 'P' && magic[1] == 'K' ? "zip" : "npy";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static DatasetArray toArray(NpyArrayInfo a) {
        return new DatasetArray(a.name(), dtypeName(a), Arrays.stream(a.shape()).boxed().toList());
    }

    private static String dtypeName(NpyArrayInfo a) {
        return a.dtype().typeName();
    }

    private static ApiException unprocessable(String detail) {
        return new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, detail, "file");
    }

    /** Not transactional: dataset versions never change, so a cached view costs no connection. */
    public DatasetView get(String name, int version) {
        return views.get(name + "@" + version, key -> require(name, version).view());
    }

    @Transactional(readOnly = true)
    public List<DatasetView> versions(String name) {
        List<DatasetView> versions = datasets.findByNameOrderByVersionDesc(name).stream()
                .map(Dataset::view).toList();
        if (versions.isEmpty()) {
            throw ApiException.notFound("dataset", name);
        }
        return versions;
    }

    @Transactional(readOnly = true)
    public Page<DatasetView> latest(String purpose, Pageable pageable) {
        return datasets.findLatestVersions(purpose == null || purpose.isBlank() ? null : purpose, pageable)
                .map(Dataset::view);
    }

    @Transactional(readOnly = true)
    public long count() {
        return datasets.count();
    }

    /** The stored bytes and the digest that names them. */
    public record Content(Resource resource, String sha256, String filename) {
    }

    @Transactional(readOnly = true)
    public Content content(String name, int version) {
        DatasetView d = require(name, version).view();
        return new Content(artifacts.open(d.sha256()), d.sha256(), d.name() + "-v" + d.version() + "." + d.format());
    }

    private Dataset require(String name, int version) {
        return datasets.findByNameAndVersion(name, version)
                .orElseThrow(() -> ApiException.notFound("dataset version", name + "@" + version));
    }
}
