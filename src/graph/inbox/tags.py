"""Mutations on tags, tag folders and taggings (SPEC T1–T4)."""

from __future__ import annotations

import strawberry
from strawberry import relay

from domain.errors import DomainError
from domain.inbox import refuse_bulk_in_merge_mode
from domain.tag import TagTarget, clean_name
from graph.context import Info
from graph.errors import UserError
from graph.mutations import node_id, node_ids, optional_node_id, perform
from graph.types.tag import Tag, TagFolder
from infra.automation import tagging_changed
from infra.repositories.inbox import InboxRepository
from infra.repositories.tagging import TagAdmin


@strawberry.input(description="A new tag folder: of a page (social) or of the shop (commerce).")
class TagFolderCreateInput:
    name: str = strawberry.field(description='Folder name, e.g. "Tư vấn - Bán hàng".')
    page_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The page of a social folder; omit for a commerce folder."
    )
    position: int = strawberry.field(default=0, description="Order of the folder in its list.")


@strawberry.input(description="Rename or reorder a folder; omitted fields stay as they are.")
class TagFolderUpdateInput:
    id: relay.GlobalID = strawberry.field(description="The folder.")
    name: str | None = strawberry.field(default=None, description="New name.")
    position: int | None = strawberry.field(default=None, description="New position.")


@strawberry.input(description="Delete a folder; its tags stay, unfiled.")
class TagFolderDeleteInput:
    id: relay.GlobalID = strawberry.field(description="The folder.")


@strawberry.input(description="A new tag: of a page (social) or of the shop (commerce).")
class TagCreateInput:
    name: str = strawberry.field(description='Tag name, e.g. "Hết hàng".')
    page_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The page of a social tag; omit for a commerce tag."
    )
    folder_id: relay.GlobalID | None = strawberry.field(
        default=None, description="A folder of the same page (or a commerce folder)."
    )
    color: str | None = strawberry.field(default=None, description="Display colour.")


@strawberry.input(description="Rename, recolour or move a tag; omitted fields stay as they are.")
class TagUpdateInput:
    id: relay.GlobalID = strawberry.field(description="The tag.")
    name: str | None = strawberry.field(default=None, description="New name.")
    color: str | None = strawberry.field(default=None, description="New colour.")
    folder_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Move the tag to this folder (of the same page)."
    )
    unfile: bool = strawberry.field(default=False, description="Take the tag out of its folder.")


@strawberry.input(description="Delete a tag.")
class TagDeleteInput:
    id: relay.GlobalID = strawberry.field(description="The tag.")
    force: bool = strawberry.field(
        default=False,
        description="Delete a tag that is in use too, removing it from everything it tags; "
        "without it such a tag is refused with IN_USE.",
    )


@strawberry.input(description="Install the default folders and tags of SPEC T2 on a page.")
class TagDefaultsInstallInput:
    page_id: relay.GlobalID = strawberry.field(description="The page.")


@strawberry.input(
    description="Tags and what they go on: give exactly one of customerIds, subscriberIds, "
    "threadIds. Commerce tags go on customers; a page's tags on that page's subscribers and "
    "threads."
)
class TaggingInput:
    tag_ids: list[relay.GlobalID] = strawberry.field(description="The tags (at most 1000).")
    customer_ids: list[relay.GlobalID] | None = strawberry.field(
        default=None, description="Customers (at most 1000)."
    )
    subscriber_ids: list[relay.GlobalID] | None = strawberry.field(
        default=None, description="Subscribers (at most 1000)."
    )
    thread_ids: list[relay.GlobalID] | None = strawberry.field(
        default=None, description="Threads (at most 1000; one at a time in merge mode)."
    )


@strawberry.type(description="Result of a folder mutation.")
class TagFolderPayload:
    folder: TagFolder | None = strawberry.field(description="The folder, on success.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was changed.")


@strawberry.type(description="Result of a folder deletion.")
class TagFolderDeletePayload:
    deleted_id: relay.GlobalID | None = strawberry.field(description="Id of the deleted folder.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was changed.")


@strawberry.type(description="Result of a tag mutation.")
class TagPayload:
    tag: Tag | None = strawberry.field(description="The tag, on success.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was changed.")


@strawberry.type(description="Result of a tag deletion.")
class TagDeletePayload:
    deleted_id: relay.GlobalID | None = strawberry.field(description="Id of the deleted tag.")
    removed_taggings: int = strawberry.field(
        description="How many customers, subscribers and threads lost the tag."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was changed.")


@strawberry.type(description="Result of installing the default tags.")
class TagDefaultsInstallPayload:
    added: int = strawberry.field(description="Tags added now; 0 when they were there already.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was changed.")


@strawberry.type(description="Result of adding or removing tags.")
class TaggingPayload:
    changed: int = strawberry.field(
        description="Taggings added (or removed); pairs that already were (or were not) count 0."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was changed.")


def _admin(info: Info) -> TagAdmin:
    return TagAdmin(info.context.session, info.context.shop_id)


def _targets(data: TaggingInput) -> tuple[TagTarget, list[int]]:
    given = [
        (target, ids, type_name)
        for target, ids, type_name in (
            (TagTarget.CUSTOMER, data.customer_ids, "Customer"),
            (TagTarget.SUBSCRIBER, data.subscriber_ids, "Subscriber"),
            (TagTarget.THREAD, data.thread_ids, "Thread"),
        )
        if ids is not None
    ]
    if len(given) != 1:
        raise DomainError(
            "Give exactly one of customerIds, subscriberIds or threadIds.", field="input"
        )
    target, ids, type_name = given[0]
    return target, node_ids(ids, type_name, field=f"input.{target.value}Ids")


async def _tagging(info: Info, data: TaggingInput, *, add: bool) -> TaggingPayload:
    async def run() -> int:
        target, owners = _targets(data)
        tags = node_ids(data.tag_ids, "Tag", field="input.tagIds")
        if target is TagTarget.THREAD and len(set(owners)) > 1:
            merge_mode = await InboxRepository(
                info.context.session, info.context.shop_id
            ).merge_mode(info.context.viewer.staff_id)
            refuse_bulk_in_merge_mode(merge_mode, len(set(owners)), field="input.threadIds")
        if add:
            result = await _admin(info).add(target, owners, tags, info.context.viewer.staff_id)
        else:
            result = await _admin(info).remove(target, owners, tags)
        await tagging_changed(
            info.context.session,
            info.context.shop_id,
            target,
            result.pairs,
            info.context.now(),
            added=add,
        )
        return result.changed

    changed, errors = await perform(info, run)
    return TaggingPayload(changed=changed or 0, user_errors=errors)


@strawberry.type
class TagMutation:
    @strawberry.mutation(description="Create a tag folder (SPEC T2).")
    async def tag_folder_create(self, info: Info, input: TagFolderCreateInput) -> TagFolderPayload:
        async def run() -> TagFolder:
            page_id = optional_node_id(input.page_id, "Page", field="input.pageId")
            name = clean_name(input.name, field="input.name")
            folder = await _admin(info).create_folder(
                page_id=page_id, name=name, position=input.position
            )
            return TagFolder.from_domain(folder)

        folder, errors = await perform(info, run)
        return TagFolderPayload(folder=folder, user_errors=errors)

    @strawberry.mutation(description="Rename or reorder a tag folder.")
    async def tag_folder_update(self, info: Info, input: TagFolderUpdateInput) -> TagFolderPayload:
        async def run() -> TagFolder:
            folder_id = node_id(input.id, "TagFolder", field="input.id")
            name = None if input.name is None else clean_name(input.name, field="input.name")
            folder = await _admin(info).update_folder(folder_id, name=name, position=input.position)
            return TagFolder.from_domain(folder)

        folder, errors = await perform(info, run)
        return TagFolderPayload(folder=folder, user_errors=errors)

    @strawberry.mutation(description="Delete a tag folder; its tags stay, unfiled.")
    async def tag_folder_delete(
        self, info: Info, input: TagFolderDeleteInput
    ) -> TagFolderDeletePayload:
        async def run() -> relay.GlobalID:
            await _admin(info).delete_folder(node_id(input.id, "TagFolder", field="input.id"))
            return input.id

        deleted, errors = await perform(info, run)
        return TagFolderDeletePayload(deleted_id=deleted, user_errors=errors)

    @strawberry.mutation(description="Create a tag (SPEC T1, T2).")
    async def tag_create(self, info: Info, input: TagCreateInput) -> TagPayload:
        async def run() -> Tag:
            tag = await _admin(info).create_tag(
                page_id=optional_node_id(input.page_id, "Page", field="input.pageId"),
                folder_id=optional_node_id(input.folder_id, "TagFolder", field="input.folderId"),
                name=clean_name(input.name, field="input.name"),
                color=input.color,
            )
            return Tag.from_domain(tag)

        tag, errors = await perform(info, run)
        return TagPayload(tag=tag, user_errors=errors)

    @strawberry.mutation(description="Rename, recolour or move a tag to another folder.")
    async def tag_update(self, info: Info, input: TagUpdateInput) -> TagPayload:
        async def run() -> Tag:
            tag = await _admin(info).update_tag(
                node_id(input.id, "Tag", field="input.id"),
                name=None if input.name is None else clean_name(input.name, field="input.name"),
                color=input.color,
                folder_id=optional_node_id(input.folder_id, "TagFolder", field="input.folderId"),
                unfile=input.unfile,
            )
            return Tag.from_domain(tag)

        tag, errors = await perform(info, run)
        return TagPayload(tag=tag, user_errors=errors)

    @strawberry.mutation(
        description="Delete a tag. One in use is refused (IN_USE) unless `force` is true."
    )
    async def tag_delete(self, info: Info, input: TagDeleteInput) -> TagDeletePayload:
        async def run() -> int:
            return await _admin(info).delete_tag(
                node_id(input.id, "Tag", field="input.id"), force=input.force
            )

        removed, errors = await perform(info, run)
        return TagDeletePayload(
            deleted_id=None if errors else input.id,
            removed_taggings=removed or 0,
            user_errors=errors,
        )

    @strawberry.mutation(
        description="Install the default folders and tags on a page connected earlier; "
        "idempotent (SPEC T2)."
    )
    async def tag_defaults_install(
        self, info: Info, input: TagDefaultsInstallInput
    ) -> TagDefaultsInstallPayload:
        async def run() -> int:
            page_id = node_id(input.page_id, "Page", field="input.pageId")
            await _admin(info).check_page(page_id, field="input.pageId")
            return await _admin(info).install_defaults(page_id)

        added, errors = await perform(info, run)
        return TagDefaultsInstallPayload(added=added or 0, user_errors=errors)

    @strawberry.mutation(
        description="Put tags on customers, subscribers or threads, one or many, in one "
        "statement (SPEC T3)."
    )
    async def tag_add(self, info: Info, input: TaggingInput) -> TaggingPayload:
        return await _tagging(info, input, add=True)

    @strawberry.mutation(description="Take tags off customers, subscribers or threads.")
    async def tag_remove(self, info: Info, input: TaggingInput) -> TaggingPayload:
        return await _tagging(info, input, add=False)
