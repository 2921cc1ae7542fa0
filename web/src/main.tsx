import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, Navigate, RouterProvider } from 'react-router';
import { Layout } from './components/Layout.tsx';
import { Account } from './pages/Account.tsx';
import { ForgotPassword } from './pages/ForgotPassword.tsx';
import { Login } from './pages/Login.tsx';
import { ErrorPage, NotFound } from './pages/NotFound.tsx';
import { NotMe } from './pages/NotMe.tsx';
import { Register } from './pages/Register.tsx';
import { ResetPassword } from './pages/ResetPassword.tsx';
import { readSessionToken } from './session.ts';

function Home() {
  return <Navigate to={readSessionToken() === null ? '/login' : '/account'} replace />;
}

const router = createBrowserRouter([
  {
    element: <Layout />,
    errorElement: <ErrorPage />,
    children: [
      { index: true, element: <Home /> },
      { path: 'forgot-password', element: <ForgotPassword /> },
      { path: 'reset-password', element: <ResetPassword /> },
      { path: 'not-me', element: <NotMe /> },
      { path: 'login', element: <Login /> },
      { path: 'register', element: <Register /> },
      { path: 'account', element: <Account /> },
      { path: '*', element: <NotFound /> },
    ],
  },
]);

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <RouterProvider router={router} />
  </StrictMode>,
);
