"""``smeproc audit-log``: ``verify`` the chain (against a signed ``--checkpoint``), write a signed
``checkpoint``, ``keygen`` the Ed25519 key that signs them. Exit 1 naming the first broken entry."""

import argparse
from pathlib import Path


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = sub.add_parser("audit-log", help="审计日志 / the audit log")
    actions = parser.add_subparsers(dest="log_action", required=True)
    verify = actions.add_parser("verify", help="verify the hash chain, MACs and a signed checkpoint")
    verify.add_argument("--checkpoint", type=Path, help="a checkpoint file written by `checkpoint`")
    verify.add_argument(
        "--public-key",
        type=Path,
        help="the Ed25519 public key (PEM) that signed it; default: SMEPROC_AUDIT_SIGNING_KEY's",
    )
    checkpoint = actions.add_parser(
        "checkpoint", help="sign the log's head and write it outside the database"
    )
    checkpoint.add_argument("--dir", type=Path, help="default: SMEPROC_AUDIT_CHECKPOINT_DIR")
    keygen = actions.add_parser("keygen", help="a new Ed25519 signing key (PEM, and .pub beside it)")
    keygen.add_argument("--out", type=Path, required=True)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.log_action == "keygen":
        return _keygen(args.out)
    if args.log_action == "checkpoint":
        return _checkpoint(args.dir)
    return _verify(args.checkpoint, args.public_key)


def _keygen(out: Path) -> int:
    from procurement.auditlog.checkpoints import generate_key, key_id

    if out.exists():
        print(f"{out} 已存在，不覆盖 / {out} exists; not overwritten")
        return 2
    public_key = generate_key(out)
    print(f"签名密钥 / signing key: {out} (key id {key_id(public_key)}); public key: {out}.pub")
    return 0


def _checkpoint(directory: Path | None) -> int:
    from api.cli.common import session_scope, settings_from_env
    from procurement.auditlog.checkpoints import create_checkpoint, load_private_key, write_checkpoint

    settings = settings_from_env()
    if settings.audit_signing_key is None:
        print("未配置签名密钥 / set SMEPROC_AUDIT_SIGNING_KEY (smeproc audit-log keygen --out FILE)")
        return 2
    key = load_private_key(settings.audit_signing_key)
    with session_scope(settings) as session:
        checkpoint = create_checkpoint(session, key)
    path = write_checkpoint(checkpoint, directory or settings.audit_checkpoint_dir)
    print(f"检查点已签名：{checkpoint.entries}条 / checkpoint signed: {checkpoint.entries} entries -> {path}")
    return 0


def _verify(checkpoint_file: Path | None, public_key_file: Path | None) -> int:
    from api.cli.common import session_scope, settings_from_env
    from procurement.auditlog.checkpoints import Checkpoint, CheckpointError, load_checkpoint, load_public_key
    from procurement.auditlog.services import verify_log

    settings = settings_from_env()
    checkpoint: Checkpoint | None = None
    if checkpoint_file is not None:
        key_file = public_key_file or settings.audit_signing_key
        if key_file is None:
            print("需要公钥 / --public-key FILE (or SMEPROC_AUDIT_SIGNING_KEY) to check the signature")
            return 2
        try:
            checkpoint = load_checkpoint(checkpoint_file, load_public_key(key_file))
        except CheckpointError as exc:
            print(f"检查点无效 / checkpoint not valid: {exc}")
            return 1
    with session_scope(settings) as session:
        result = verify_log(session, checkpoint=checkpoint)
    if result.broken is not None:
        broken = result.broken
        print(
            f"审计日志被篡改：{broken.reason_zh} / audit log broken at entry {broken.seq}: {broken.reason_en}"
        )
        return 1
    print(f"审计日志完整：{result.checked}条记录 / audit log intact: {result.checked} entries")
    if checkpoint is not None:
        print(
            f"与{checkpoint.signed_at}的签名检查点（{checkpoint.entries}条）一致 / "
            "consistent with the signed checkpoint"
        )
    if not result.macs_checked:
        print("注意：未配置 SMEPROC_AUDIT_MAC_KEY，未校验密钥校验码 / note: no MAC key, MACs not checked")
    elif result.unkeyed:
        print(
            f"注意：{result.unkeyed}条早期记录无密钥校验码 / "
            f"note: {result.unkeyed} early entries carry no MAC"
        )
    return 0
