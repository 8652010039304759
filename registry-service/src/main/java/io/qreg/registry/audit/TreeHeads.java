package io.qreg.registry.audit;

import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;

import io.qreg.worker.audit.TreeHead;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageImpl;
import org.springframework.data.domain.Pageable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/** The database's copy of the signed tree heads: for listing and the portal, never for verifying. */
@Repository
@RequiredArgsConstructor(access = AccessLevel.PACKAGE)
public class TreeHeads {

    private static final RowMapper<TreeHead> ROW = (rs, row) -> new TreeHead(rs.getLong("tree_size"),
            rs.getString("root_hash"), rs.getTimestamp("signed_at").toInstant(), rs.getString("signature"));

    private final JdbcTemplate jdbc;

    void insert(String anchorKey, TreeHead head) {
        jdbc.update("insert into audit_tree_head (anchor_key, tree_size, root_hash, signed_at, signature)"
                + " values (?, ?, ?, ?, ?)", anchorKey, head.treeSize(), head.rootHash(),
                Timestamp.from(head.timestamp()), head.signature());
    }

    /** The most recently signed head, as the database recorded it. */
    public Optional<TreeHead> newest() {
        return jdbc.query("select * from audit_tree_head order by signed_at desc, tree_size desc limit 1", ROW)
                .stream().findFirst();
    }

    /** Newest first. */
    Page<TreeHead> page(Pageable pageable) {
        Long total = jdbc.queryForObject("select count(*) from audit_tree_head", Long.class);
        List<TreeHead> heads = jdbc.query("select * from audit_tree_head order by signed_at desc, tree_size desc"
                + " limit ? offset ?", ROW, pageable.getPageSize(), pageable.getOffset());
        return new PageImpl<>(heads, pageable, total == null ? 0 : total);
    }

    List<String> anchorKeys() {
        return jdbc.queryForList("select anchor_key from audit_tree_head", String.class);
    }
}
