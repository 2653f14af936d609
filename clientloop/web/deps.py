"""The pages' role checks and client lookup as dependencies: the API's rule over the signed-in user.

`PageUser` (any signed-in user) comes from `clientloop.web.session`; the aliases here add
the permission a page needs, from the one access rule (`records.access`) through
`clientloop.deps`, so a page never checks a role by hand.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from clientloop.deps import client_in_book, requires
from clientloop.web.session import page_user
from records.tables import Client, User

PageUploader = Annotated[User, Depends(requires("upload", page_user))]
"""May upload interactions (RMs for their own book)."""
PageReviewer = Annotated[User, Depends(requires("review", page_user))]
"""May see the review queue (RMs their own book) and decide drafts."""
PageClientsUser = Annotated[User, Depends(requires("clients", page_user))]
"""May read the client list, briefs and the weekly review (RMs their own book)."""
PageKnowledgeUser = Annotated[User, Depends(requires("write_kb", page_user))]
"""The knowledge team and admins: propose knowledge documents and decide others' changes."""
PageClientInBook = Annotated[Client, Depends(client_in_book(requires("clients", page_user)))]
"""The `{client_id}` of the path (id, CRM external id or exact name), in the signed-in user's book."""
