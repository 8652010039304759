package io.qreg.worker.cli;

import io.qreg.worker.audit.Ed25519Keys;
import io.qreg.worker.audit.MerkleFrontier;
import io.qreg.worker.audit.MerkleTree;
import io.qreg.worker.audit.TreeHead;
import io.qreg.worker.json.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.PublicKey;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * {@code audit-verify}: checks a registry's audit log from any machine with nothing but its API and the
 * public key the auditor was given: the newest signed tree head's signature, a saved head's signature
 * and its consistency with the newest, every event replayed into the Merkle root of the newest head, and
 * inclusion proofs for a few events.
 */
public final class AuditVerifyCommand implements ParsedCommand {

    /** Exit code when the log does not verify (or cannot be checked): the registry is not to be trusted. */
    public static final int VERIFICATION_FAILED = 1;

    private static final Args.Spec SPEC = Args.spec().option("--registry").option("--token").option("--public-key")
            .option("--tree-head").option("--spot-checks").flag("--help");

    @Override
    public String name() {
        return "audit-verify";
    }

    @Override
    public String summary() {
        return "check a registry's audit log offline against its signed tree heads and your copy of its key";
    }

    @Override
    public String usage() {
        return """
                usage: audit-verify --registry URL --token T --public-key PEM [--tree-head FILE] [--spot-checks 3]

                  --registry     the registry's base URL, e.g. https://qreg.example.com
                  --token        an API token of an account with the VIEWER role
                  --public-key   the registry's audit public key (PEM), obtained out of band; the key the
                                 registry serves at /api/v1/audit/public-key is NOT trusted here
                  --tree-head    a tree head saved earlier (JSON, as /api/v1/audit/checkpoints lists it): it must
                                 be signed by the key and the registry's newest head must extend it
                  --spot-checks  events whose inclusion proof is also checked (default 3)

                Fetches the newest signed tree head and checks its signature, replays every event it covers
                (GET /api/v1/audit?afterSeq=...) into the RFC 6962 Merkle root and compares it with the signed
                root, and with --tree-head checks that head too plus a consistency proof to the newest.

                exit codes:
                  0  the log verifies
                  1  it does not (the first disagreement is printed), or the registry could not be checked
                  2  bad usage: unknown option, unreadable key or tree-head file
                """;
    }

    @Override
    public Args.Spec options() {
        return SPEC;
    }

    @Override
    public int run(Args args, CliContext context) throws Exception {
        String registry = args.required("--registry");
        PublicKey key = publicKey(args.required("--public-key"));
        Optional<TreeHead> saved = args.value("--tree-head").map(AuditVerifyCommand::savedHead);
        int spotChecks = args.intValue("--spot-checks", 3, 0);
        AuditApiClient api = new AuditApiClient(registry, args.value("--token").orElse(null));
        try {
            return verify(api, key, saved, spotChecks, context);
        } catch (IOException | RuntimeException e) {
            context.out().println("FAILED: the registry could not be checked: " + e.getMessage());
            return VERIFICATION_FAILED;
        }
    }

    private static int verify(AuditApiClient api, PublicKey key, Optional<TreeHead> saved, int spotChecks,
            CliContext context) throws IOException {
        TreeHead newest = api.newestTreeHead().orElse(null);
        if (newest == null) {
            return fail(context, "the registry lists no signed tree head");
        }
        if (!newest.verify(key)) {
            return fail(context, "the newest tree head (size " + newest.treeSize() + ", " + newest.timestamp()
                    + ") is not signed by the given public key");
        }
        if (saved.isPresent()) {
            TreeHead old = saved.get();
            if (!old.verify(key)) {
                return fail(context, "the saved tree head is not signed by the given public key");
            }
            if (old.treeSize() > newest.treeSize()) {
                return fail(context, "the registry's newest tree head covers " + newest.treeSize()
                        + " events, fewer than the " + old.treeSize() + " of the saved head: the log was truncated");
            }
            List<byte[]> proof = api.consistencyProof(old.treeSize(), newest.treeSize());
            if (!MerkleTree.verifyConsistency(old.treeSize(), newest.treeSize(), old.rootBytes(), newest.rootBytes(),
                    proof)) {
                return fail(context, "the newest tree head (size " + newest.treeSize()
                        + ") does not extend the saved head (size " + old.treeSize() + "): the log was rewritten");
            }
        }
        MerkleFrontier frontier = new MerkleFrontier();
        long unanchored = 0;
        for (List<AuditApiClient.Event> page = api.eventsAfter(0); !page.isEmpty();
                page = api.eventsAfter(page.get(page.size() - 1).seq())) {
            for (AuditApiClient.Event event : page) {
                if (frontier.size() == newest.treeSize()) {
                    unanchored++;
                    continue;
                }
                if (event.seq() != frontier.size() + 1) {
                    return fail(context, "event " + (frontier.size() + 1) + " is missing (the next stored is "
                            + event.seq() + ") but the signed tree head covers " + newest.treeSize() + " events");
                }
                frontier.append(event.leaf().hash());
                if (saved.isPresent() && frontier.size() == saved.get().treeSize() && !HexFormat.of()
                        .formatHex(frontier.root()).equals(saved.get().rootHash())) {
                    return fail(context, "events 1.." + frontier.size() + " do not produce the root of the saved "
                            + "tree head: at least one of them was altered");
                }
            }
        }
        if (frontier.size() < newest.treeSize()) {
            return fail(context, "event " + (frontier.size() + 1) + " is missing: the signed tree head covers "
                    + newest.treeSize() + " events but the registry lists " + frontier.size());
        }
        long fromSize = saved.map(TreeHead::treeSize).orElse(0L);
        if (!HexFormat.of().formatHex(frontier.root()).equals(newest.rootHash())) {
            return fail(context, "events " + (fromSize + 1) + ".." + newest.treeSize()
                    + " do not produce the root of the tree head signed at " + newest.timestamp()
                    + ": at least one of them was altered");
        }
        String inclusion = spotCheck(api, newest, spotChecks);
        if (inclusion != null) {
            return fail(context, inclusion);
        }
        context.out().println("OK: " + newest.treeSize() + " events match the tree head signed at "
                + newest.timestamp() + " (root " + newest.rootHash() + ")"
                + saved.map(h -> ", which extends the saved head of size " + h.treeSize()).orElse("")
                + "; " + unanchored + " newer events are not anchored yet");
        return ExitCode.OK;
    }

    /** Inclusion proofs of the first, the middle and the last events (up to {@code count}) against the head. */
    private static String spotCheck(AuditApiClient api, TreeHead head, int count) throws IOException {
        long size = head.treeSize();
        for (int i = 0; i < Math.min(count, size); i++) {
            long seq = count == 1 ? size : 1 + (size - 1) * i / Math.max(1, count - 1);
            List<byte[]> path = api.inclusionProof(seq, size);
            byte[] leaf = api.eventsAfter(seq - 1).get(0).leaf().hash();
            if (!MerkleTree.verifyInclusion(leaf, seq - 1, size, path, head.rootBytes())) {
                return "the inclusion proof of event " + seq + " does not lead to the signed root";
            }
        }
        return null;
    }

    private static int fail(CliContext context, String reason) {
        context.out().println("FAILED: " + reason);
        return VERIFICATION_FAILED;
    }

    private static PublicKey publicKey(String file) {
        try {
            return Ed25519Keys.readPublicPem(Files.readString(Args.existingFile("--public-key", file),
                    StandardCharsets.US_ASCII));
        } catch (IOException | IllegalArgumentException e) {
            throw new UsageException("--public-key " + file + ": " + e.getMessage());
        }
    }

    private static TreeHead savedHead(String file) {
        try {
            return AuditApiClient.treeHead(Json.parseObject(Files.readString(Args.existingFile("--tree-head", file),
                    StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException e) {
            throw new UsageException("--tree-head " + file + ": " + e.getMessage());
        }
    }
}
